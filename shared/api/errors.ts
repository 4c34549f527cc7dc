// The error body every endpoint answers with, as OpenAI's API shapes it.
export interface ApiErrorBody {
  error: {
    message: string;
    /** A broad class: invalid_request_error, authentication_error, not_found_error, server_error. */
    type: string;
    /** The request field at fault, when there is one (e.g. "messages[0].role"). */
    param: string | null;
    code: string | null;
  };
}
