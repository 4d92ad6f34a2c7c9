package dev.watchllm.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated request body. {@code body} is the tree (read-only by convention); {@code raw} the
 * bytes the client sent, forwarded unchanged when the gateway has nothing to add.
 */
public record ParsedRequest(Endpoint endpoint, String model, boolean stream, boolean includeUsage, ObjectNode body, byte[] raw) {
}
