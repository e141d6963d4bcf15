// undici's own modules that http.ts loads directly; their types come from undici's package types.
declare module "undici/lib/dispatcher/agent.js" {
  const Agent: unknown;
  export default Agent;
}
declare module "undici/lib/api/api-request.js" {
  const request: unknown;
  export default request;
}
