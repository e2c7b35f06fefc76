// A literal string inside a regular expression (rule patterns are compiled to RegExps).
export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
