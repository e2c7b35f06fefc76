// Syntax highlighting of single diff lines: lowlight's hast tree with highlight.js classes
// swapped for theme colors, turned into React elements by hast-util-to-jsx-runtime. Nothing is
// ever parsed as HTML: text nodes become React text, which React escapes.
// Loaded with import() by the view, so the grammars stay out of the page's first bundle.
import type { Element, ElementContent, Root, RootContent } from "hast";
import { toJsxRuntime } from "hast-util-to-jsx-runtime";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import go from "highlight.js/lib/languages/go";
import graphql from "highlight.js/lib/languages/graphql";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import less from "highlight.js/lib/languages/less";
import lua from "highlight.js/lib/languages/lua";
import makefile from "highlight.js/lib/languages/makefile";
import markdown from "highlight.js/lib/languages/markdown";
import perl from "highlight.js/lib/languages/perl";
import php from "highlight.js/lib/languages/php";
import python from "highlight.js/lib/languages/python";
import r from "highlight.js/lib/languages/r";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import scss from "highlight.js/lib/languages/scss";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { createLowlight } from "lowlight";
import type { ReactNode } from "react";
import { Fragment, jsx, jsxs } from "react/jsx-runtime";

const lowlight = createLowlight({
  bash, c, cpp, csharp, css, diff, dockerfile, go, graphql, ini, java, javascript, json, kotlin, less, lua, makefile,
  markdown, perl, php, python, r, ruby, rust, scss, sql, swift, typescript, xml, yaml,
});

// Past this a line is most likely minified or generated; highlighting it buys nothing and
// highlight.js can take long on it.
const MAX_CHARS = 400;
const CACHE_MAX = 20_000;
const cache = new Map<string, ReactNode>();

// GitHub-like colors, light and dark. Class names are spelled out so Tailwind generates them.
const COLORS: Record<string, string> = {
  keyword: "text-rose-700 dark:text-rose-400",
  "selector-tag": "text-rose-700 dark:text-rose-400",
  doctag: "text-rose-700 dark:text-rose-400",
  title: "text-violet-700 dark:text-violet-300",
  section: "text-violet-700 dark:text-violet-300",
  string: "text-sky-900 dark:text-sky-300",
  regexp: "text-sky-900 dark:text-sky-300",
  subst: "text-fg",
  number: "text-blue-700 dark:text-blue-300",
  literal: "text-blue-700 dark:text-blue-300",
  built_in: "text-blue-700 dark:text-blue-300",
  type: "text-blue-700 dark:text-blue-300",
  attr: "text-blue-700 dark:text-blue-300",
  attribute: "text-blue-700 dark:text-blue-300",
  variable: "text-blue-700 dark:text-blue-300",
  symbol: "text-blue-700 dark:text-blue-300",
  meta: "text-blue-700 dark:text-blue-300",
  property: "text-blue-700 dark:text-blue-300",
  comment: "text-zinc-500 italic dark:text-zinc-400",
  quote: "text-zinc-500 italic dark:text-zinc-400",
  tag: "text-emerald-800 dark:text-emerald-400",
  name: "text-emerald-800 dark:text-emerald-400",
  "selector-class": "text-emerald-800 dark:text-emerald-400",
  "selector-id": "text-emerald-800 dark:text-emerald-400",
  bullet: "text-amber-800 dark:text-amber-300",
  addition: "text-emerald-800 dark:text-emerald-400",
  deletion: "text-red-700 dark:text-red-400",
  emphasis: "italic",
  strong: "font-semibold",
};

export const hasGrammar = (lang: string): boolean => lowlight.registered(lang);

/** One line of code as highlighted React nodes; plain text when it can't or shouldn't be. */
export function highlightLine(lang: string | null, text: string): ReactNode {
  if (!lang || text.length > MAX_CHARS || !lowlight.registered(lang)) return text;
  const key = `${lang}\0${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let node: ReactNode = text;
  try {
    node = toJsxRuntime(recolor(lowlight.highlight(lang, text)), { Fragment, jsx, jsxs, passKeys: true });
  } catch {
    // A grammar that chokes on a line leaves it plain.
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, node);
  return node;
}

function recolor(root: Root): Root {
  return { type: "root", children: root.children.map((c) => recolorNode(c)) as RootContent[] };
}

function recolorNode(node: RootContent): RootContent {
  if (node.type !== "element") return node;
  const el: Element = node;
  return {
    type: "element",
    tagName: "span",
    properties: { className: colorOf(el.properties.className) },
    children: el.children.map((c) => recolorNode(c)) as ElementContent[],
  };
}

function colorOf(className: unknown): string[] {
  if (!Array.isArray(className)) return [];
  const scope = className.find((c): c is string => typeof c === "string" && c.startsWith("hljs-"));
  const color = scope ? COLORS[scope.slice(5)] : undefined;
  return color ? color.split(" ") : [];
}
