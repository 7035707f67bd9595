import { randomUUID } from "crypto";

/** An answer in the query protocol: the endpoint sends `xml` as text/xml (SNS). */
export class XmlResponse {
  constructor(readonly xml: string) {}
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"\r]/g, (char) => (char === "\r" ? "&#13;" : `&#${char.charCodeAt(0)};`));
}

/**
 * `<{Action}Response xmlns=...><{Action}Result>{result}</{Action}Result><ResponseMetadata>...`,
 * the shape of every query-protocol answer. `result` is XML already (escape values with
 * {@link escapeXml}).
 */
export function queryResponse(action: string, namespace: string, result: string, requestId: string = randomUUID()): XmlResponse {
  return new XmlResponse(
    `<?xml version="1.0"?>\n<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  );
}

/** `<name>value</name>`, escaped; nothing for an undefined value. */
export function xmlElement(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? "" : `<${name}>${escapeXml(String(value))}</${name}>`;
}
