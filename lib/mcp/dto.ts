// What the settings API says about MCP servers (shared with the browser: zod only). Secret values
// are never in it: stdio env and remote headers are listed by name ("set").
import { z } from "zod";

export const McpServerDtoSchema = z.discriminatedUnion("kind", [
  z.object({ name: z.string(), kind: z.literal("stdio"), command: z.string(), args: z.array(z.string()), env: z.array(z.string()) }),
  z.object({ name: z.string(), kind: z.literal("remote"), url: z.string(), headers: z.array(z.string()) }),
]);
export type McpServerDto = z.infer<typeof McpServerDtoSchema>;

export const McpServersDtoSchema = z.object({
  servers: z.array(McpServerDtoSchema),
  /** The team's servers a repository inherits (a repository's own of the same name wins); [] on the team. */
  inherited: z.array(McpServerDtoSchema),
});
export type McpServersDto = z.infer<typeof McpServersDtoSchema>;
