package dev.watchllm.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script run by its SHA ({@code EVALSHA}), sent whole once when Redis does not know it
 * (first use, or after a Redis restart emptied its script cache). Runs on a connection of any
 * codec (text keys and arguments, or binary ones).
 */
final class Script {
    private final String source;
    private final String sha;

    Script(StatefulRedisConnection<?, ?> c, String source) {
        this.source = source;
        this.sha = c.sync().digest(source);
    }

    @SafeVarargs
    final <K, V> Long run(StatefulRedisConnection<K, V> c, K[] keys, V... args) {
        try {
            return c.sync().evalsha(sha, ScriptOutputType.INTEGER, keys, args);
        } catch (RedisNoScriptException e) {
            return c.sync().eval(source, ScriptOutputType.INTEGER, keys, args);
        }
    }

    @SafeVarargs
    final <K, V> CompletableFuture<Long> runAsync(StatefulRedisConnection<K, V> c, K[] keys, V... args) {
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
