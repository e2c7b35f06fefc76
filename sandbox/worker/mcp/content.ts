// An MCP tool result as the text the model reads: text kept, everything else described in a line
// (the Messages API tool_result here carries text; images and blobs would only bloat the context).
type Block = { type?: unknown; text?: unknown; mimeType?: unknown; data?: unknown; uri?: unknown; resource?: unknown; name?: unknown };

export function resultText(result: { content?: unknown; structuredContent?: unknown; toolResult?: unknown }): string {
  const content = Array.isArray(result.content) ? (result.content as Block[]) : [];
  const parts = content.map(blockText);
  if (!parts.length && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent, null, 2));
  // Servers of protocol 2024-10-07 answer {toolResult}.
  if (!parts.length && result.toolResult !== undefined) parts.push(typeof result.toolResult === "string" ? result.toolResult : JSON.stringify(result.toolResult));
  return parts.join("\n");
}

function blockText(b: Block): string {
  const size = typeof b.data === "string" ? ` (${Math.round((b.data.length * 3) / 4)} bytes)` : "";
  switch (b.type) {
    case "text":
      return typeof b.text === "string" ? b.text : "";
    case "image":
    case "audio":
      return `[${b.type}: ${String(b.mimeType ?? "unknown type")}${size}, not shown]`;
    case "resource": {
      const r = (b.resource ?? {}) as Block;
      if (typeof r.text === "string") return r.text;
      return `[resource ${String(r.uri ?? "")}: ${String(r.mimeType ?? "binary")}, not shown]`;
    }
    case "resource_link":
      return `[resource link: ${String(b.name ?? "")} ${String(b.uri ?? "")}]`.replace(/\s+]$/, "]");
    default:
      return `[${String(b.type)} content, not shown]`;
  }
}
