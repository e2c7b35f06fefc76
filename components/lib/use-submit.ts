"use client";
// The submit cycle every form here shares: one submission at a time, the error shown inline,
// and the form left busy after a success (it navigates away).
import { useState } from "react";

export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Runs `action`, which answers the message to show when it failed, or nothing when it succeeded. */
  async function run(action: () => Promise<string | null | undefined | void>): Promise<void> {
    if (busy) return;
    setBusy(true);
    setError(null);
    const failure = await action();
    if (failure) {
      setBusy(false);
      setError(failure);
    }
  }
  return { busy, error, setError, run };
}
