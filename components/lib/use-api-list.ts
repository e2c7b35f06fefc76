"use client";
// Loads a JSON list from the API and reloads it on demand: the shape every settings table shares.
import { useCallback, useEffect, useState } from "react";
import type { z } from "zod";
import { apiJson } from "./api";

export function useApiList<D, T>(url: string, schema: z.ZodType<D>, pick: (data: D) => T[]) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const res = await apiJson(url, schema);
    if (res.ok) setItems(pick(res.data));
    else setError(res.message);
    // `pick` is a pure selector; depending on it would reload on every render.
  }, [url, schema]);
  useEffect(() => {
    void load();
  }, [load]);
  return { items, setItems, error, setError, reload: load };
}
