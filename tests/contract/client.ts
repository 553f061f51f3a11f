// A small typed client, written the way a web or mobile frontend would write it, using only the
// types that openapi-typescript generates from openapi/openapi.yaml and the global `fetch`.
//
// It is only type-checked, never run (see tsconfig.json):
//   npm run types:generate && npm run types:check
// A change to the contract that would break a frontend (a renamed path, member or parameter, a
// member that becomes optional or nullable, a changed enum) makes `tsc` fail here.
//
// `baseUrl` is one of the document's global `servers`, i.e. it includes the major version:
// "https://api.kwaliteitsregister.example/v1" or "http://127.0.0.1:8080/v1".

import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];

export type Account = Schemas["Account"];
export type AccountList = Schemas["AccountList"];
export type Role = Schemas["Role"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];
export type OAuthProblem = Schemas["OAuthProblem"];
export type TokenResponse = Schemas["TokenResponse"];

// --- operation types, taken from `paths` so that the path strings themselves are checked -------

type TokenOperation = paths["/auth/token"]["post"];
type TokenRequestBody = TokenOperation["requestBody"]["content"]["application/json"];
export type PasswordGrant = Extract<TokenRequestBody, { grant_type: "password" }>;
export type RefreshTokenGrant = Extract<TokenRequestBody, { grant_type: "refresh_token" }>;
type TokenSuccess = TokenOperation["responses"][200]["content"]["application/json"];
type TokenFailure =
  | TokenOperation["responses"][400]["content"]["application/problem+json"]
  | TokenOperation["responses"][401]["content"]["application/problem+json"]
  | TokenOperation["responses"][429]["content"]["application/problem+json"];

type ListAccountsOperation = paths["/accounts"]["get"];
export type ListAccountsParams = NonNullable<ListAccountsOperation["parameters"]["query"]>;
type ListAccountsSuccess = ListAccountsOperation["responses"][200]["content"]["application/json"];
type ListAccountsFailure =
  | ListAccountsOperation["responses"][400]["content"]["application/problem+json"]
  | ListAccountsOperation["responses"][401]["content"]["application/problem+json"]
  | ListAccountsOperation["responses"][403]["content"]["application/problem+json"];

// The generated success types must be the named schemas a frontend imports.
const tokenSuccessIsTokenResponse = (value: TokenSuccess): TokenResponse => value;
const listSuccessIsAccountList = (value: ListAccountsSuccess): AccountList => value;
void tokenSuccessIsTokenResponse;
void listSuccessIsAccountList;

// --- results and errors ---------------------------------------------------------------------------

/** The outcome of a call: the typed body, or the typed problem the server answered with. */
export type ApiResult<T, P extends Problem = Problem> =
  | { readonly ok: true; readonly status: number; readonly requestId: string | null; readonly data: T }
  | { readonly ok: false; readonly status: number; readonly requestId: string | null; readonly problem: P };

/** Thrown only when the server does not answer in the documented way (e.g. a proxy's HTML page). */
export class UnexpectedResponseError extends Error {
  constructor(
    readonly status: number,
    readonly contentType: string | null,
  ) {
    super(`unexpected response: HTTP ${status} (${contentType ?? "no Content-Type"})`);
    this.name = "UnexpectedResponseError";
  }
}

const PROBLEM_TYPE_PREFIX = "urn:kwaliteitsregister:problem:";

function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate["type"] === "string" &&
    typeof candidate["title"] === "string" &&
    typeof candidate["status"] === "number" &&
    typeof candidate["detail"] === "string"
  );
}

function isOAuthProblem(value: unknown): value is OAuthProblem {
  return isProblem(value) && typeof (value as Record<string, unknown>)["error"] === "string";
}

/** The slug of a problem type, e.g. "validation-error". */
export function problemSlug(problem: Problem): string {
  return problem.type.startsWith(PROBLEM_TYPE_PREFIX)
    ? problem.type.slice(PROBLEM_TYPE_PREFIX.length)
    : problem.type;
}

/** The messages for one field of a 400, e.g. to show them next to a form input. */
export function fieldMessages(problem: Problem, field: string): string[] {
  return (problem.errors ?? []).filter((e: FieldError) => e.field === field).map((e) => e.message);
}

async function readResult<T, P extends Problem>(
  response: Response,
  guard: (value: unknown) => value is P,
): Promise<ApiResult<T, P>> {
  const contentType = response.headers.get("Content-Type");
  const requestId = response.headers.get("X-Request-Id");
  if (response.ok) {
    const data = (await response.json()) as T;
    return { ok: true, status: response.status, requestId, data };
  }
  if (contentType !== null && contentType.startsWith("application/problem+json")) {
    const body: unknown = await response.json();
    if (guard(body)) return { ok: false, status: response.status, requestId, problem: body };
  }
  throw new UnexpectedResponseError(response.status, contentType);
}

function endpoint(baseUrl: string, path: keyof paths): URL {
  return new URL(baseUrl.replace(/\/+$/, "") + path);
}

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" } as const;

// --- auth -----------------------------------------------------------------------------------------

async function postToken(
  baseUrl: string,
  body: TokenRequestBody,
): Promise<ApiResult<TokenResponse, TokenFailure>> {
  const response = await fetch(endpoint(baseUrl, "/auth/token"), {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  return readResult<TokenResponse, TokenFailure>(response, isOAuthProblem);
}

/** A person signs in (password grant). The answer includes a refresh token. */
export function requestToken(
  baseUrl: string,
  username: string,
  password: string,
): Promise<ApiResult<TokenResponse, TokenFailure>> {
  const body: PasswordGrant = { grant_type: "password", username, password };
  return postToken(baseUrl, body);
}

/** Exchanges a refresh token; keep the NEW refresh_token from the answer (the old one is spent). */
export function refreshToken(
  baseUrl: string,
  currentRefreshToken: string,
): Promise<ApiResult<TokenResponse, TokenFailure>> {
  const body: RefreshTokenGrant = { grant_type: "refresh_token", refresh_token: currentRefreshToken };
  return postToken(baseUrl, body);
}

/** What a sign-in form shows for a failed token request. Unknown codes fall back to the detail. */
export function describeTokenFailure(problem: TokenFailure): string {
  switch (problem.error) {
    case "invalid_grant":
      return "The username or password is not correct.";
    case "temporarily_unavailable":
      return "Too many attempts. Please wait and try again.";
    case "invalid_request":
      return (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("\n") || problem.detail;
    default:
      return problem.error_description;
  }
}

// --- accounts -------------------------------------------------------------------------------------

/** Lists accounts (admin only), one page at a time. */
export async function listAccounts(
  baseUrl: string,
  accessToken: string,
  params: ListAccountsParams = {},
): Promise<ApiResult<AccountList, ListAccountsFailure>> {
  const url = endpoint(baseUrl, "/accounts");
  if (params.limit !== undefined) url.searchParams.set("limit", String(params.limit));
  if (params.cursor !== undefined) url.searchParams.set("cursor", params.cursor);
  if (params.role !== undefined) url.searchParams.set("role", params.role);
  const response = await fetch(url, {
    method: "GET",
    headers: { Accept: "application/json", Authorization: `Bearer ${accessToken}` },
  });
  return readResult<AccountList, ListAccountsFailure>(response, isProblem);
}

// --- deliberate uses of the contract's shapes (these are what break when the contract breaks) -----

/** The username of the first account on a page, as an admin screen's header would show it. */
export function firstUsername(page: AccountList): string | undefined {
  const first = page.items[0];
  if (first === undefined) return undefined;
  const username: string = first.username;
  return username;
}

/** Facts the code above relies on but cannot observe through assignments alone. */
type Expect<T extends true> = T;
type IsExactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type ContractFacts = [
  // The last page is marked by `nextCursor: null` (the paging loop ends on it).
  Expect<IsExactly<AccountList["nextCursor"], string | null>>,
  // A password grant answers a refresh token; it is optional because client_credentials has none.
  Expect<undefined extends TokenResponse["refresh_token"] ? true : false>,
  // Problems always carry detail and status.
  Expect<IsExactly<Problem["detail"], string>>,
  Expect<IsExactly<Problem["status"], number>>,
];

/** How an admin table labels an account's link; reads every role-specific member by name. */
export function accountLinkLabel(account: Account): string {
  const role: Role = account.role;
  switch (role) {
    case "admin":
      return "administrator";
    case "professional":
      return `professional ${account.professionalId ?? "?"}`;
    case "organisation":
      return `organisation ${account.organisationId ?? "?"}`;
    case "certifier":
      return `certifying body ${account.certifyingBodyId ?? "?"}`;
    case "municipality":
      return `municipality ${account.municipalityCode ?? "?"}`;
  }
}

/** Reads every page of accounts of one role, following nextCursor until it is null. */
export async function allAccountsWithRole(
  baseUrl: string,
  accessToken: string,
  role: Role,
): Promise<Account[]> {
  const accounts: Account[] = [];
  let cursor: string | null = null;
  do {
    const params: ListAccountsParams = cursor === null ? { role, limit: 100 } : { role, limit: 100, cursor };
    const result = await listAccounts(baseUrl, accessToken, params);
    if (!result.ok) {
      throw new Error(`${problemSlug(result.problem)}: ${result.problem.detail}`);
    }
    accounts.push(...result.data.items);
    const created: string = result.data.items[0]?.createdAt ?? "";
    void created;
    cursor = result.data.nextCursor;
  } while (cursor !== null);
  return accounts;
}

/** Signs in, then shows the first account: the flow a frontend's admin start page runs. */
export async function signInAndShowFirstAccount(
  baseUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const token = await requestToken(baseUrl, username, password);
  if (!token.ok) return describeTokenFailure(token.problem);
  const expiresInSeconds: number = token.data.expires_in;
  const refresh: string | undefined = token.data.refresh_token;
  void expiresInSeconds;
  void refresh;
  const page = await listAccounts(baseUrl, token.data.access_token, { limit: 1 });
  if (!page.ok) {
    return fieldMessages(page.problem, "limit").join(", ") || page.problem.title;
  }
  return firstUsername(page.data) ?? "(no accounts)";
}
