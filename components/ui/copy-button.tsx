"use client";
import { useState } from "react";
import { copyText } from "../lib/copy";
import { secondaryButton } from "./form";

/** A "Copy" button that says "Copied" for a moment, or tells the person to copy by hand. */
export function CopyButton({ text, testId }: { text: string; testId: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    const ok = await copyText(text);
    setState(ok ? "copied" : "failed");
    setTimeout(() => setState("idle"), 2000);
  }
  return (
    <button type="button" data-testid={testId} onClick={copy} className={`${secondaryButton} shrink-0`}>
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : "Copy"}
    </button>
  );
}
