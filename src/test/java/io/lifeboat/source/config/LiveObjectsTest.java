package io.lifeboat.source.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Live Kubernetes objects as kubectl get -o json gives them (no cluster runs here; this is the
 * shape of its answer): written as manifests without the cluster's additions, and every Secret's
 * data and every secret environment value sealed, whatever the keys are called.
 */
class LiveObjectsTest {
    private static final String ANSWER = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
               "metadata": {"name": "registry", "namespace": "camera", "uid": "0b1c", "resourceVersion": "4711",
                            "creationTimestamp": "2026-11-01T00:00:00Z", "managedFields": [{"manager": "kubectl"}]},
               "data": {".dockerconfigjson": "eyJhdXRocyI6eyJyZWdpc3RyeSI6e319fQ==", "username": "Y2FtZXJh",
                        "tls.crt": "LS0tLS1CRUdJTi1ub3QtYS1jZXJ0"}},
              {"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "api", "namespace": "camera", "generation": 7,
                            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\\"DB\\": \\"x\\"}"}},
               "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "api", "image": "camera/api:4.2",
                 "args": ["--db-password=flag-secret", "--port=8080"],
                 "env": [{"name": "DB_PASSWORD", "value": "env-secret"}, {"name": "DB_HOST", "value": "db"}]}]}}},
               "status": {"readyReplicas": 2}},
              {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "camera"}}
            ]}
            """;

    @Test
    void secretsOfLiveObjectsAreSealedAndTheClusterNoiseIsGone() throws Exception {
        Map<String, String> manifests = ConfigCapture.manifests(ANSWER);
        assertEquals(List.of("_cluster", "camera"), List.copyOf(manifests.keySet()));
        String camera = manifests.get("camera");
        for (String noise : List.of("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation",
                "last-applied-configuration", "readyReplicas")) {
            assertFalse(camera.contains(noise), noise + " in\n" + camera);
        }
        assertTrue(camera.contains("kind: Secret") && camera.contains("replicas: 2"), camera);

        MasterKey key = MasterKey.generate();
        byte[] content = camera.getBytes(StandardCharsets.UTF_8);
        ConfigSnapshots.Prepared prepared = ConfigSnapshots.prepare("infrastructure", List.of(ConfigItem.answer(
                "/captured/kubectl/prod/camera/all.yaml", ConfigItem.KUBECTL, content)), key);
        String stored = new String(prepared.items().get(0).stored(), StandardCharsets.UTF_8);
        for (String secret : List.of("eyJhdXRocyI6eyJyZWdpc3RyeSI6e319fQ==", "Y2FtZXJh", "LS0tLS1CRUdJTi1ub3QtYS1jZXJ0",
                "flag-secret", "env-secret")) {
            assertFalse(stored.contains(secret), secret + " in\n" + stored);
        }
        assertTrue(stored.contains("value: db") && stored.contains("--port=8080"), stored);
        assertArrayEquals(content, ConfigSnapshots.plaintext(prepared.items().get(0), prepared.secrets(), key));
    }
}
