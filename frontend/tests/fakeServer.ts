// A scripted API: records every request, answers from handlers, can go "offline".
export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (req: Seen) => Response | Promise<Response> | undefined;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": type, ...headers } });
}

export class FakeServer {
  seen: Seen[] = [];
  offline = false;
  handlers: Handler[] = [];

  on(handler: Handler): this {
    this.handlers.unshift(handler);
    return this;
  }

  fetch = async (request: Request): Promise<Response> => {
    if (this.offline) throw new TypeError("Failed to fetch");
    const url = new URL(request.url);
    const text = request.method === "GET" ? "" : await request.text();
    const seen: Seen = {
      method: request.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(request.headers.entries()),
      body: text ? JSON.parse(text) : undefined,
    };
    this.seen.push(seen);
    for (const handler of this.handlers) {
      const response = await handler(seen);
      if (response) return response;
    }
    return json(404, { status: 404, title: "Not found" });
  };

  writes(): Seen[] {
    return this.seen.filter((s) => s.method !== "GET" && !s.path.startsWith("/api/v1/auth"));
  }
}
