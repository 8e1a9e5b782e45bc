package io.lifeboat.config;

/** Bad configuration: the message names the file, the entry and the field. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
