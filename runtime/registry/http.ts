/**
 * The two parts of undici the registry client uses, its Agent and request,
 * loaded from their own modules rather than the package's index, which
 * loads all of undici (fetch, WebSocket, caches, mocks): ~40 ms of a ~0.4 s
 * pull. The types are undici's own. undici is pinned by package-lock.json
 * and the registry specs exercise both, so a layout change in an upgrade
 * fails there.
 */
import type { Agent as AgentType, Dispatcher } from "undici";
import AgentImpl from "undici/lib/dispatcher/agent.js";
import requestImpl from "undici/lib/api/api-request.js";

export type { Dispatcher };
export type Agent = AgentType;
export const Agent = AgentImpl as unknown as typeof AgentType;

/** undici's request(url, options) with an explicit dispatcher. */
export function request(url: URL, o: { method: Dispatcher.HttpMethod; headers: Record<string, string>; body?: Dispatcher.RequestOptions["body"]; dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = o;
  return (requestImpl as (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>).call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
