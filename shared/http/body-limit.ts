// The most bytes of body a route reads, for the edge and the GPU node alike: past it, a 413 in the
// API's error shape naming the limit, before the body is read, whether the request announces its
// length (Content-Length, refused from the header alone) or streams it (chunked, refused once the
// count passes the limit). Hono's bodyLimit counts; the answer is ours.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./api-error.ts";

export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(
        413,
        `the body is over ${maxBytes} bytes, the most this route takes`,
        "body_too_large",
        "body",
      );
    },
  });
}
