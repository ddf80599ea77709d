// The visitor's token, kept in the host page's localStorage under the LiveHelp server's address, so a reload or a
// later visit is the same visitor with the same conversations.
import { api } from "../sdk/session";

export interface Identity {
  userId?: string | null;
  userHash?: string | null;
  name?: string | null;
  email?: string | null;
}

interface Stored {
  token: string;
  visitorId: string;
  name?: string | null;
  email?: string | null;
}

const memory = new Map<string, string>();

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    if (value === null) memory.delete(key);
    else memory.set(key, value);
  }
}

export class VisitorStore {
  private readonly key: string;
  private pending: Promise<Stored> | null = null;

  constructor(readonly base: string) {
    this.key = "livehelp:" + base;
  }

  get current(): Stored | null {
    try {
      const value = JSON.parse(read(this.key) ?? "null");
      return value && typeof value.token === "string" ? value : null;
    } catch {
      return null;
    }
  }

  get token(): string {
    return this.current?.token ?? "";
  }

  /** The conversation under way, so that a reload can bring the widget back at once. */
  get openConversation(): string | null {
    return read(this.key + ":open");
  }

  set openConversation(id: string | null) {
    write(this.key + ":open", id);
  }

  /** The name and email the visitor last gave, kept with their token so the next chat's form starts filled in. */
  remember(details: { name: string; email: string }): void {
    const stored = this.current;
    if (!stored) return;
    write(this.key, JSON.stringify({ ...stored, name: details.name || null, email: details.email || null }));
  }

  /** A valid token: the stored one refreshed (same visitor, new expiry), or a new visitor. */
  ensure(): Promise<Stored> {
    return (this.pending ??= this.post({}).finally(() => (this.pending = null)));
  }

  /** The host site says who its user is (userHash is its HMAC of userId); the token becomes that user's. */
  identify(identity: Identity): Promise<Stored> {
    const body: Identity = {};
    for (const key of ["userId", "userHash", "name", "email"] as const) {
      const value = identity?.[key];
      if (typeof value === "string" && value.length > 0) body[key] = value;
    }
    return this.post(body);
  }

  private async post(body: Identity): Promise<Stored> {
    const previous = this.current;
    const answer = await api<{ visitorId: string; token: string }>(this.base, "/api/visitors", { body, token: previous?.token });
    const stored: Stored = {
      token: answer.token,
      visitorId: answer.visitorId,
      name: body.name ?? (previous?.visitorId === answer.visitorId ? previous?.name : null),
      email: body.email ?? (previous?.visitorId === answer.visitorId ? previous?.email : null),
    };
    write(this.key, JSON.stringify(stored));
    if (previous && previous.visitorId !== answer.visitorId) this.openConversation = null;
    return stored;
  }
}
