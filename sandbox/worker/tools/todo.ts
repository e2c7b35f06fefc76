// The agent's plan: todo_write replaces the whole list, which the session page shows live (a
// `todo` event). The list lives in the conversation (the tool's input), so a summary keeps it.
import { z } from "zod";
import { defineTool } from "./tool";

export const TodoItemSchema = z.object({
  content: z.string().min(1).max(2000).describe("What to do, as an imperative sentence."),
  status: z.enum(["pending", "in_progress", "completed"]),
});
export type TodoItem = z.infer<typeof TodoItemSchema>;

const parameters = z.object({
  items: z.array(TodoItemSchema).max(100).describe("The whole list, in order; it replaces the previous one."),
});

export const todoWrite = defineTool({
  name: "todo_write",
  description:
    "Write your plan as a todo list, shown live to the person. Use it for any task with three or more steps or when " +
    "the person asks for several things: write the list before you start, keep exactly one item in_progress while " +
    "you work on it, and mark each completed as soon as it is done (not in batches). Each call replaces the whole " +
    "list. Skip it for a single simple step.",
  parameters,
  async execute({ items }, ctx) {
    ctx.emit({ type: "todo", data: { items } });
    const count = (s: TodoItem["status"]) => items.filter((i) => i.status === s).length;
    const current = items.find((i) => i.status === "in_progress");
    const counts = `${count("completed")} completed, ${count("in_progress")} in progress, ${count("pending")} pending`;
    return { output: `Todo list updated (${items.length} items: ${counts}).${current ? ` Now: ${current.content}` : ""}` };
  },
});
