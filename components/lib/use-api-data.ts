"use client";
// Loads one JSON object from the API and reloads it on demand (useApiList's single-object twin);
// a null url loads nothing (a section not opened yet).
import { useCallback, useEffect, useState } from "react";
import type { z } from "zod";
import { apiJson } from "./api";

export function useApiData<T>(url: string | null, schema: z.ZodType<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    if (!url) return;
    const res = await apiJson(url, schema);
    if (res.ok) {
      setData(res.data);
      setError(null);
    } else setError(res.message);
  }, [url, schema]);
  useEffect(() => {
    void load();
  }, [load]);
  return { data, error, setError, reload: load };
}

/** Sends a change; answers the message to show a person when it failed, else null. */
export async function send(path: string, method: "PATCH" | "DELETE" | "POST", body?: unknown): Promise<string | null> {
  const res = await apiJson(path, null, { method, body });
  return res.ok ? null : res.message;
}
