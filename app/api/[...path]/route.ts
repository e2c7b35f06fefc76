// Unknown API paths answer JSON, not the HTML 404 page: API clients parse what they get.
import { json } from "@/lib/http/handler";

const notFound = () => json(404, { error: { code: "not_found", message: "no such API endpoint" } });
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
