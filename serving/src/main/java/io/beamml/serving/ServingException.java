package io.beamml.serving;

/**
 * A request that cannot be answered, with the HTTP status that says why: 400 bad input, 404 no such
 * model, 409 store and model disagree on the feature spec, 413 body too large, 503 a dependency
 * (Redis) is down. The message goes back to the client and must never carry a raw customer id.
 */
public final class ServingException extends RuntimeException {

  private final int status;

  public ServingException(int status, String message) {
    super(message);
    this.status = status;
  }

  public ServingException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ServingException badRequest(String message) {
    return new ServingException(400, message);
  }
}
