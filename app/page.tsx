import { NewSessionForm } from "@/components/new-session-form";
import { SessionsTable } from "@/components/sessions-table";

export default function HomePage() {
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-6xl space-y-6 px-4 py-6">
        <NewSessionForm />
        <SessionsTable />
      </div>
    </div>
  );
}
