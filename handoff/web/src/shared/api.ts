// HTTP to the hub for every page: one place that sends JSON, reads the hub's JSON errors
// (docs/contracts/hub-api.md) and says "something went wrong" in Norwegian when it cannot.

export interface ApiError {
  error: string;
  message?: string;
  limit?: number;
}

/** Shown when the hub's answer carries no message of its own. */
export const FALLBACK_ERROR = "Noe gikk galt. Prøv igjen om litt.";

export interface Request {
  method?: string;
  /** Sent as JSON (with its Content-Type); nothing is sent when undefined. */
  body?: unknown;
  headers?: Record<string, string>;
  /** For a request that must outlive the page (the visitor leaves). */
  keepalive?: boolean;
}

/** A failed request: the hub's error code, its message (or a Norwegian fallback) and the status. */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** The whole error body, for errors with more fields (the content service's problems). */
    readonly body: ApiError = { error: code, message },
  ) {
    super(message);
  }
}

/** Read the JSON error body of a failed response, with a Norwegian fallback. */
export async function readError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as ApiError;
    if (body && typeof body.error === "string") return body;
  } catch {
    /* not JSON */
  }
  return { error: `http_${res.status}`, message: FALLBACK_ERROR };
}

/** Send a request; the answer is the response as it is (a network failure throws). */
export function send(url: string, req: Request = {}): Promise<Response> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(url, {
    method: req.method ?? "GET",
    headers,
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
    // The console's and editors' login is the hub's cookie; the widget sends none (other origin).
    credentials: "same-origin",
    keepalive: req.keepalive,
  });
}

/** The JSON of a successful answer; nothing for 204 or a body that is not JSON. */
export async function readJson<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("Content-Type") ?? "";
  return (type.includes("json") ? await res.json() : undefined) as T;
}

/** Send a request and read its JSON, or throw an ApiFailure with the hub's message. */
export async function call<T>(url: string, req: Request = {}, fallback = FALLBACK_ERROR): Promise<T> {
  const res = await send(url, req);
  if (!res.ok) throw await failure(res, fallback);
  return readJson<T>(res);
}

/** The ApiFailure for a response that is not ok. */
export async function failure(res: Response, fallback = FALLBACK_ERROR): Promise<ApiFailure> {
  const err = await readError(res);
  return new ApiFailure(err.error, err.message || fallback, res.status, err);
}
