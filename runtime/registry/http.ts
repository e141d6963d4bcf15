/**
 * The two parts of undici the registry client uses, its Agent and request,
 * from undici's public API. (Importing undici's internal modules instead
 * saved ~40 ms of loading per pull, but tied Strata to undici's file layout;
 * the bundle keeps undici in a chunk that only registry commands load.)
 */
import { Agent, type Dispatcher, request as undiciRequest } from "undici";

export { Agent, type Dispatcher };

/** undici's request(url, options) with an explicit dispatcher. */
export function request(url: URL, o: { method: Dispatcher.HttpMethod; headers: Record<string, string>; body?: Dispatcher.RequestOptions["body"]; dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  return undiciRequest(url, o);
}
