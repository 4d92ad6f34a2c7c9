package dev.watchllm.auth;

import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;

/** Who is calling: the authenticated key's id, its project and the project's plan. */
public record Caller(String keyId, ProjectConfig project, PlanConfig plan) {
    public String projectId() {
        return project.id();
    }
}
