package dev.watchllm.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identical cache misses in flight, by cache key: the first one leads (calls the provider), the
 * ones that arrive while it runs follow and get its {@link Outcome}. Waiting is the caller's to
 * bound ({@link Flight#leave}); a leader that never ends can be dropped ({@link #abandon}) so
 * that later requests no longer wait on it. Thread-safe; no lock is held while followers run.
 */
public final class InFlight {
    private static final Logger LOG = LoggerFactory.getLogger(InFlight.class);

    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();

    /**
     * What a leader's call came to: an answer to share, an error to pass on (the provider would
     * answer an identical request alike), or neither (cancelled, cut short, not a complete
     * answer): then each follower makes its own call.
     */
    public record Outcome(CachedAnswer answer, int status, String provider, byte[] errorBody) {
        public static final Outcome RETRY = new Outcome(null, 0, null, null);

        public static Outcome answer(CachedAnswer a) {
            return new Outcome(a, 200, a.provider(), null);
        }

        public static Outcome error(int status, String provider, byte[] body) {
            return new Outcome(null, status, provider, body);
        }

        public boolean isAnswer() {
            return answer != null;
        }

        public boolean isError() {
            return answer == null && errorBody != null;
        }
    }

    /** One leader's call and the followers waiting for it. */
    public final class Flight {
        private final String key;
        private List<Consumer<Outcome>> followers = new ArrayList<>(2); // null once ended
        private volatile boolean answered;

        private Flight(String key) {
            this.key = key;
        }

        /**
         * Notes that the leader's client has its whole answer: a request arriving from now on did
         * not overlap the call, it only came before the store (it is a plain hit, not a coalesced one).
         */
        public void markAnswered() {
            answered = true;
        }

        public boolean answered() {
            return answered;
        }

        /** Adds a follower; false when the flight has already ended (look in the cache again). */
        public synchronized boolean join(Consumer<Outcome> follower) {
            if (followers == null) return false;
            followers.add(follower);
            return true;
        }

        /** Stops waiting (timeout, client gone); false when the outcome is already being delivered to it. */
        public synchronized boolean leave(Consumer<Outcome> follower) {
            return followers != null && followers.remove(follower);
        }

        /** Ends the flight: later identical requests no longer find it, and every follower gets {@code o}. */
        public void complete(Outcome o) {
            flights.remove(key, this);
            List<Consumer<Outcome>> fs;
            synchronized (this) {
                fs = followers;
                followers = null;
            }
            if (fs == null) return;
            for (Consumer<Outcome> f : fs) {
                try {
                    f.accept(o);
                } catch (RuntimeException e) {
                    LOG.warn("A coalesced request could not be answered: {}", e.toString());
                }
            }
        }
    }

    /** Starts leading {@code key}; null when another call already leads it. */
    public Flight lead(String key) {
        Flight f = new Flight(key);
        return flights.putIfAbsent(key, f) == null ? f : null;
    }

    /** The call leading {@code key}, or null when none is in flight; {@link Flight#join} it to follow. */
    public Flight current(String key) {
        return flights.get(key);
    }

    /** Forgets {@code f} so new requests stop waiting on it; its own followers are unaffected. */
    public void abandon(Flight f) {
        flights.remove(f.key, f);
    }
}
