// The typed API client (openapi-fetch over the generated schema), signed in through authFetch.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { authFetch } from "./session";

export const api = createClient<paths>({ baseUrl: location.origin, fetch: authFetch });
