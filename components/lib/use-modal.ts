"use client";
// A native <dialog> shown as a modal while its component is mounted: it opens at once, puts the
// focus on `focus` (Cancel, Close: a stray Enter does nothing), and when the component goes,
// closes and hands the focus back to whatever had it. A layout effect, because its cleanup runs
// before React detaches the element, so close() can still return the focus.
import { useLayoutEffect, useRef } from "react";

export function useModal<F extends HTMLElement = HTMLButtonElement>() {
  const dialog = useRef<HTMLDialogElement>(null);
  const focus = useRef<F>(null);
  useLayoutEffect(() => {
    const d = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (d && !d.open) d.showModal();
    focus.current?.focus();
    return () => {
      if (d?.open) d.close();
      opener?.focus();
    };
  }, []);
  return { dialog, focus };
}
