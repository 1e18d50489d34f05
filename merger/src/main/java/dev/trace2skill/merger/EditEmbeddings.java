package dev.trace2skill.merger;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.trace2skill.core.merge.TextEmbedder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Edit embeddings from all-MiniLM-L6-v2 (quantized ONNX, 384 dimensions), run in process: the model ships inside the
 * langchain4j jar, nothing is downloaded. Loaded on first use (about 3 s, about 180 MiB of native memory outside the
 * Java heap), so a merger that only runs offline merges never loads it. Recent vectors are cached by text: the edits
 * of one merge level are the sources checked at the next.
 */
@ApplicationScoped
public class EditEmbeddings implements TextEmbedder {
    private static final Logger LOG = Logger.getLogger(EditEmbeddings.class);
    private static final int CACHE = 20_000;

    @Inject
    MergerMetrics metrics;

    private volatile EmbeddingModel model;
    private final Map<String, float[]> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > CACHE;
        }
    };

    @Override
    public List<float[]> embed(List<String> texts) {
        Map<String, float[]> found = new HashMap<>();
        List<String> missing = new ArrayList<>();
        synchronized (cache) {
            for (String t : texts) {
                float[] v = cache.get(t);
                if (v != null) {
                    found.put(t, v);
                } else if (!found.containsKey(t) && !missing.contains(t)) {
                    missing.add(t);
                }
            }
        }
        if (!missing.isEmpty()) {
            long start = System.nanoTime();
            List<Embedding> vectors = model().embedAll(missing.stream().map(t -> TextSegment.from(t.isBlank() ? "(empty)" : t)).toList()).content();
            if (metrics != null) {
                metrics.embedded(missing.size(), System.nanoTime() - start);
            }
            synchronized (cache) {
                for (int i = 0; i < missing.size(); i++) {
                    float[] v = dev.trace2skill.core.merge.PatchOrder.normalise(vectors.get(i).vector());
                    cache.put(missing.get(i), v);
                    found.put(missing.get(i), v);
                }
            }
        }
        return texts.stream().map(found::get).toList();
    }

    private EmbeddingModel model() {
        EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) {
                    // DJL unpacks the tokenizer's native library under ~/.djl.ai; in a container with a read-only root
                    // file system only /tmp is writable
                    if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
                        System.setProperty("DJL_CACHE_DIR", System.getProperty("java.io.tmpdir") + "/djl");
                    }
                    long start = System.nanoTime();
                    model = new AllMiniLmL6V2QuantizedEmbeddingModel();
                    LOG.infof("embedding model all-MiniLM-L6-v2 (quantized) loaded in %d ms", (System.nanoTime() - start) / 1_000_000);
                }
                m = model;
            }
        }
        return m;
    }
}
