package jctr.mgmt.api;

import java.util.List;
import java.util.Map;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import jctr.kernel.KernelException;
import jctr.mgmt.engine.DockerJson;

/**
 * Errors the way the Docker Engine API reports them: {@code {"message": "..."}} as {@code application/json},
 * with the status code the docker CLI expects for the error's category.
 */
final class DockerErrors {

    private DockerErrors() {
    }

    /** The HTTP status for an error category (Docker's errdefs mapping). */
    static int status(KernelException.Category category) {
        return switch (category) {
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, FAILED_PRECONDITION -> 409;
            case INVALID_ARGUMENT -> 400;
            case PERMISSION_DENIED -> 403;
            case UNSUPPORTED -> 501;
            case RESOURCE_EXHAUSTED, TIMEOUT, INTERNAL -> 500;
        };
    }

    /** The status and message for any failure. */
    static int status(Throwable t) {
        return t instanceof KernelException k ? status(k.category()) : 500;
    }

    /** The message shown to the user: ours are written for users; anything else keeps its type. */
    static String message(Throwable t) {
        if (t instanceof KernelException) {
            return t.getMessage();
        }
        return t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** A Docker-style error response. */
    static MutableHttpResponse<String> response(int status, String message) {
        return HttpResponse.<String>status(HttpStatus.valueOf(status))
                .body(DockerJson.writeString(Map.of("message", message)) + "\n")
                .contentType("application/json");
    }

    /** Turns every exception thrown by a controller into a Docker-style error. */
    @Singleton
    @Produces
    static final class Handler implements ExceptionHandler<Throwable, HttpResponse<?>> {
        @Override
        @SuppressWarnings("rawtypes") // Micronaut's ExceptionHandler declares the raw type
        public HttpResponse<?> handle(HttpRequest request, Throwable exception) {
            int status = status(exception);
            if (status == 500) {
                System.err.println("jctr: " + request.getMethodName() + " " + request.getPath() + ": " + exception);
            }
            return response(status, message(exception));
        }
    }

    /** Micronaut's own errors (no route, wrong method, body too large) in Docker's shape. */
    @Singleton
    @Replaces(ErrorResponseProcessor.class)
    static final class Processor implements ErrorResponseProcessor<String> {
        @Override
        public MutableHttpResponse<String> processResponse(ErrorContext ctx, MutableHttpResponse<?> base) {
            List<Error> errors = ctx.getErrors();
            String message;
            if (base.status() == HttpStatus.NOT_FOUND) {
                message = "page not found";
            } else if (!errors.isEmpty()) {
                message = errors.getFirst().getMessage();
            } else {
                message = ctx.getRootCause().map(DockerErrors::message).orElse(base.reason());
            }
            return base.body(DockerJson.writeString(Map.of("message", message)) + "\n").contentType("application/json");
        }
    }
}
