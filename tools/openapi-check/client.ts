// A strict client of the four endpoints, typed only by contacts.d.ts (openapi-typescript's output for the served
// document). It is compiled, never run: each line below states something an integrator relies on, and it stops
// compiling when the document stops saying it.
import type { components, paths } from "./contacts";

type Get<P extends keyof paths> = paths[P]["get"];
type Query<P extends keyof paths> = NonNullable<Get<P>["parameters"]["query"]>;
type Ok<P extends keyof paths> = Get<P>["responses"][200]["content"]["application/json"];
type Problem = components["schemas"]["ProblemDetails"];

export class ContactsApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export async function get<P extends keyof paths>(baseUrl: string, key: string, path: P, query: Query<P>): Promise<Ok<P>> {
  const url = new URL(path.slice(1), baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  const response = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
  if (!response.ok) throw new ContactsApiError((await response.json()) as Problem);
  return (await response.json()) as Ok<P>;
}

type ContactPath = "/api/v1/contacts/{id}";
type ContactId = Get<ContactPath>["parameters"]["path"]["id"];
type NotFound = Get<ContactPath>["responses"][404]["content"]["application/problem+json"];

// One contact by the id a list gave: the list item's own type, or undefined for the documented 404.
export async function getContact(baseUrl: string, key: string, id: ContactId): Promise<Ok<ContactPath> | undefined> {
  const url = new URL(`api/v1/contacts/${encodeURIComponent(id)}`, baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
  const response = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
  if (response.status === 404) {
    const problem: NotFound = (await response.json()) as NotFound;
    void problem.traceId;
    return undefined;
  }
  if (!response.ok) throw new ContactsApiError((await response.json()) as Problem);
  return (await response.json()) as Ok<ContactPath>;
}

export async function syncOnce(baseUrl: string, key: string, cursor?: string): Promise<string> {
  // A tag's id goes back into tag_id as it came: both are strings, so no client loses precision above 2^53.
  const tags = await get(baseUrl, key, "/api/v1/contacts/tags", { page: 1, limit: 10, search: "vip" });
  const first = tags.data[0];
  const contactCount: number = first?._count.contact_tag ?? 0;
  const page = await get(baseUrl, key, "/api/v1/contacts", {
    limit: 100,
    updated_since: "2025-09-01T00:00:00Z",
    tag_id: first ? [first.id] : [],
  });
  const ids: string[] = page.data.map((contact) => contact.id);
  const names: (string | null)[] = page.data.map((contact) => contact.first_name);
  const tagIds: string[] = page.data.flatMap((contact) => contact.tags.map((tag) => tag.id));
  const total: number = page.totalRecords + page.totalPages + page.currentPage + contactCount;
  const listed: components["schemas"]["ContactResponse"] | undefined = page.data[0];
  const again: components["schemas"]["ContactResponse"] | undefined = listed ? await getContact(baseUrl, key, listed.id) : undefined;
  const againTags: string[] = again?.tags.map((tag) => tag.name) ?? [];

  const changes = await get(baseUrl, key, "/api/v1/contacts/changes", cursor === undefined ? { limit: 100 } : { cursor, limit: 100 });
  const seen = new Map<string, string | null>();
  for (const change of changes.data) {
    // The discriminator narrows: an upsert has its contact, a deletion its id and time, and nothing else is possible.
    switch (change.type) {
      case "upsert":
        seen.set(change.contact.id, change.contact.updated_at);
        break;
      case "delete": {
        const when: string = change.deleted_at;
        seen.set(change.id, when);
        break;
      }
      default: {
        const never: never = change;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  }
  void [ids, names, tagIds, total, seen, againTags];
  return changes.has_more ? changes.next_cursor : "";
}
