package dev.watchllm.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest {
    @Test
    void mintedKeysHaveTheContractShape() {
        Set<String> seen = new HashSet<>();
        int[] counts = new int[128];
        for (int i = 0; i < 2000; i++) {
            String k = ApiKeys.mint("prod");
            assertTrue(k.startsWith("lgw_prod_"), k);
            assertEquals("lgw_prod_".length() + 40, k.length(), k);
            for (char c : k.substring(9).toCharArray()) {
                assertTrue(Character.isLetterOrDigit(c) && c < 128, k);
                counts[c]++;
            }
            assertTrue(ApiKeys.isWellFormed(k), k);
            assertTrue(seen.add(k), "keys are unique");
        }
        // 80,000 base62 characters: every symbol shows up (a constant or narrow alphabet would not)
        for (char c : "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray()) {
            assertTrue(counts[c] > 500, "symbol " + c + " seen " + counts[c] + " times");
        }
        assertTrue(ApiKeys.mint("dev").startsWith("lgw_dev_"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Prod", "pr0d", "prod_x", "a-b", "abcdefghijklmnopq"})
    void mintRejectsABadEnv(String env) {
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.mint(env));
        assertFalse(ApiKeys.isEnv(env));
    }

    @Test
    void wellFormed() {
        String secret32 = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6";
        assertTrue(ApiKeys.isWellFormed("lgw_prod_" + secret32));
        assertTrue(ApiKeys.isWellFormed("lgw_x_" + secret32 + "ZZZ"));
        assertFalse(ApiKeys.isWellFormed("lgw_prod_" + secret32.substring(1)), "31 chars of secret");
        assertFalse(ApiKeys.isWellFormed("sk-proj-" + secret32), "an OpenAI key");
        assertFalse(ApiKeys.isWellFormed("LGW_prod_" + secret32));
        assertFalse(ApiKeys.isWellFormed("lgw_Prod_" + secret32), "env is lower case");
        assertFalse(ApiKeys.isWellFormed("lgw__" + secret32), "env is required");
        assertFalse(ApiKeys.isWellFormed("lgw_pr0d_" + secret32));
        assertFalse(ApiKeys.isWellFormed("lgw_prod" + secret32), "no separator");
        assertFalse(ApiKeys.isWellFormed("lgw_prod_" + secret32.substring(1) + "-"), "not base62");
        assertFalse(ApiKeys.isWellFormed("lgw_prod_" + secret32 + " "), "no trailing space");
        assertFalse(ApiKeys.isWellFormed("lgw_prod_" + secret32.substring(1) + "é"));
        assertFalse(ApiKeys.isWellFormed("lgw_abcdefghijklmnopq_" + secret32), "env of 17 letters");
        assertFalse(ApiKeys.isWellFormed("lgw_prod_" + "a".repeat(200)), "over 200 characters");
        assertFalse(ApiKeys.isWellFormed(""));
    }

    @Test
    void masking() {
        assertEquals("lgw_prod_ab12…", ApiKeys.mask("lgw_prod_ab12cdefghijklmnopqrstuvwxyz0123456789"));
        assertEquals("lgw_…", ApiKeys.mask("lgw_prod_ab"), "too short to show anything of the secret");
        assertEquals("lgw_…", ApiKeys.mask("lgw_nounderscore"));
        assertEquals("…", ApiKeys.mask("sk-proj-abcdefghijklmnop"), "foreign keys show nothing");
        assertEquals("<none>", ApiKeys.mask(null));
        String k = ApiKeys.mint("prod");
        assertFalse(ApiKeys.mask(k).contains(k.substring(13)), "only four characters of the secret");
    }

    @Test
    void sha256IsLowerHexOfTheUtf8Bytes() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.sha256Hex("abc"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ApiKeys.sha256Hex(""));
        String k = ApiKeys.mint("dev");
        assertEquals(ApiKeys.sha256Hex(k), ApiKeys.hex(ApiKeys.sha256(k)));
        assertTrue(ApiKeys.sha256Hex(k).matches("[0-9a-f]{64}"));
        assertEquals(ApiKeys.sha256Hex("é"), ApiKeys.hex(digest("é".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void sameHashComparesWholeArrays() {
        byte[] a = ApiKeys.sha256("x");
        assertTrue(ApiKeys.sameHash(a, ApiKeys.sha256("x")));
        assertFalse(ApiKeys.sameHash(a, ApiKeys.sha256("y")));
        assertFalse(ApiKeys.sameHash(a, java.util.Arrays.copyOf(a, 31)));
    }

    private static byte[] digest(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
