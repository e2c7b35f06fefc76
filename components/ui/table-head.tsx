// The header row of the small settings tables (members, invitations, tokens); the last column
// holds row actions and has no title.
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead className="text-left text-xs text-muted">
      <tr>
        {columns.map((c) => (
          <th key={c} className="py-1.5 pr-3 font-medium">
            {c}
          </th>
        ))}
        <th className="py-1.5 font-medium" />
      </tr>
    </thead>
  );
}
