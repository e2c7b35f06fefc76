// An MCP tool result as the text the model sees: text kept, everything else described in a line
// (an image or a binary resource is never passed on as bytes), capped at `max` characters.
export function flattenResult(result: { content?: unknown; structuredContent?: unknown }, max: number): string {
  const parts: string[] = [];
  const content = Array.isArray(result.content) ? result.content : [];
  for (const c of content.slice(0, 1000)) parts.push(describe(c));
  if (!parts.length && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  const text = parts.join("\n");
  return text.length > max ? `${text.slice(0, max)}\n[… ${text.length - max} more characters cut by Dockside]` : text;
}

function describe(c: unknown): string {
  if (typeof c !== "object" || c === null) return "[an unreadable content block]";
  const b = c as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  switch (b.type) {
    case "text":
      return str(b.text);
    case "image":
    case "audio":
      return `[${b.type}: ${str(b.mimeType) || "unknown type"}, ${sizeOf(str(b.data))} — not shown]`;
    case "resource": {
      const r = (typeof b.resource === "object" && b.resource) || {};
      const res = r as Record<string, unknown>;
      if (typeof res.text === "string") return `[resource ${str(res.uri)}]\n${res.text}`;
      return `[resource ${str(res.uri)}: ${str(res.mimeType) || "binary"}, ${sizeOf(str(res.blob))} — not shown]`;
    }
    case "resource_link":
      return `[resource link ${str(b.uri)}${b.name ? ` (${str(b.name)})` : ""}]`;
    default:
      return `[a content block of type ${JSON.stringify(String(b.type).slice(0, 40))}]`;
  }
}

/** The size of base64 data, for a person. */
function sizeOf(base64: string): string {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  const bytes = Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}
