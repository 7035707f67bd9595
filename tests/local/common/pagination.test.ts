import { z } from "zod";
import { AwsError } from "../../../local/aws-error";
import { decodeToken, encodeToken, paginate } from "../../../local/common/pagination";

const invalid = () => new AwsError("InvalidToken", "Invalid Token");

describe("paging a listing", () => {
  const items = Array.from({ length: 7 }, (_, index) => `item-${index}`);

  it("walks every item once, in order, and ends without a token", () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { page, next } = paginate(items, token, 3, invalid);
      seen.push(...page);
      token = next;
      pages++;
    } while (token);
    expect(seen).toEqual(items);
    expect(pages).toBe(3);
  });

  it("gives no token when one page holds everything", () => {
    expect(paginate(items, undefined, 7, invalid)).toEqual({ page: items });
  });

  it.each([["not base64 json", "%%%"], ["a negative offset", encodeToken({ offset: -1 } as never)], ["an offset past the end", encodeToken({ offset: 99 })], ["no offset", Buffer.from("{}").toString("base64")]])(
    "refuses %s with the service's own error",
    (_what, token) => {
      expect(() => paginate(items, token, 3, invalid)).toThrow(expect.objectContaining({ code: "InvalidToken" }));
    },
  );

  it("keeps what else a service needs to resume, checked against its shape", () => {
    const token = encodeToken({ offset: 4, stream: "orders" });
    expect(decodeToken(token, invalid, { stream: z.string() })).toEqual({ offset: 4, stream: "orders" });
    expect(() => decodeToken(encodeToken({ offset: 4 }), invalid, { stream: z.string() })).toThrow(expect.objectContaining({ code: "InvalidToken" }));
  });
});
