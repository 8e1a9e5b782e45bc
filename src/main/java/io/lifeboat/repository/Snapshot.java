package io.lifeboat.repository;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A finished backup: what was backed up, when, by whom, and the chunks of its node stream (the
 * JSON-lines list of every file, directory and link with metadata and content chunk ids).
 * Written last, after all data it names is durable; its presence is the commit.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Snapshot(String id, int version, String time, String hostname, String username,
                       List<String> paths, List<String> tags, String parent, String status,
                       List<String> nodes, List<Problem> problems, Summary summary) {

    public static final String SUCCESS = "success";
    public static final String PARTIAL = "partial";

    /** A file that could not be read, or changed while being read. */
    public record Problem(String path, String message) {
    }

    /** Counts of one backup run. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Summary(long files, long dirs, long links, long specialFiles, long bytes, long unchangedFiles,
                          long changedWhileRead, long newChunks, long storedBytes, long packs, long durationMs) {
    }

    Snapshot withId(String newId) {
        return new Snapshot(newId, version, time, hostname, username, paths, tags, parent, status, nodes, problems,
                summary);
    }

    @JsonIgnore
    public String shortId() {
        return id == null ? "" : id.substring(0, 8);
    }
}
