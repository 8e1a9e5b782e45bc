package io.lifeboat.security;

import java.util.Locale;

/** The roles of R10. */
public enum Role {
    ADMIN, SYSTEM, AUDITOR, USER;

    public static Role parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown role '" + text + "': use Admin, System, Auditor or User");
        }
    }

    /** Who may read backup status and events: everyone but User. */
    public boolean mayRead() {
        return this != USER;
    }

    /** Who may start backups: the automated System role and Admin. */
    public boolean mayTrigger() {
        return this == ADMIN || this == SYSTEM;
    }

    /** Who may restore over the live platform, or anywhere: Admin (R10: recover). */
    public boolean mayRecover() {
        return this == ADMIN;
    }

    /** Who may read recoveries and drills, their steps and findings: Auditor and Admin. */
    public boolean mayAudit() {
        return this == ADMIN || this == AUDITOR;
    }

    /** Who may see and change how the service runs (its routes, its configuration): Admin. */
    public boolean mayAdminister() {
        return this == ADMIN;
    }

    public String display() {
        return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
    }
}
