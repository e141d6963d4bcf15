import { StrataError } from "../../errors/error.ts";

/** A bad network flag value or combination, in docker's words: exit 125, as docker's. */
export function invalidNetwork(message: string): StrataError {
  return new StrataError("NET_INVALID", message);
}
