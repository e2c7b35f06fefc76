export function Spinner({ label = "running" }: { label?: string }) {
  return (
    <span
      role="status"
      aria-label={label}
      className="inline-block size-3 motion-safe:animate-spin rounded-full border-2 border-current border-t-transparent text-blue-500"
    />
  );
}
