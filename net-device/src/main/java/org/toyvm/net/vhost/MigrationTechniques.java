package org.toyvm.net.vhost;

/** Placeholder of the lead (H1b's file replaces it at merge). */
public record MigrationTechniques(boolean earlyMap, boolean descAsid, boolean batch) {
    public static final MigrationTechniques NONE = new MigrationTechniques(false, false, false);
}
