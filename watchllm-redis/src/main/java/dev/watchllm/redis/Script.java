package dev.watchllm.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script run by its SHA ({@code EVALSHA}), sent whole once when Redis does not know it
 * (first use, or after a Redis restart emptied its script cache).
 */
final class Script {
    private final String source;
    private final String sha;

    Script(StatefulRedisConnection<String, String> c, String source) {
        this.source = source;
        this.sha = c.sync().digest(source);
    }

    Long run(StatefulRedisConnection<String, String> c, String[] keys, String... args) {
        try {
            return c.sync().evalsha(sha, ScriptOutputType.INTEGER, keys, args);
        } catch (RedisNoScriptException e) {
            return c.sync().eval(source, ScriptOutputType.INTEGER, keys, args);
        }
    }

    CompletableFuture<Long> runAsync(StatefulRedisConnection<String, String> c, String[] keys, String... args) {
        CompletableFuture<Long> f = c.async().<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
        return f.exceptionallyCompose(e -> {
            Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (t instanceof RedisNoScriptException) {
                return c.async().<Long>eval(source, ScriptOutputType.INTEGER, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(t);
        });
    }
}
