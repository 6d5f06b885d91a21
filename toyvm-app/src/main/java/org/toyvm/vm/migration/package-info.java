/**
 * What a live migration is made of that is not a machine: QEMU's pre-copy of guest RAM as an analytical
 * model ({@link org.toyvm.vm.migration.RamTransfer}: rounds at the migration bandwidth, the dirty rate,
 * the downtime limit), and the published downtime tables toyvm is held against
 * ({@link org.toyvm.vm.migration.PublishedTables}, {@link org.toyvm.vm.migration.Measure}), each cell as
 * published, each row a machine, a software version and a set of techniques (docs/migration.md §1).
 *
 * <p>Values and pure models only: the package depends on net-device's {@code net.vhost} (the techniques,
 * the QEMU release) and vdpa-backend's {@code vdpa.bus} (the kernel), never on the machine, the guest or
 * the experiments, which use it ({@code vm.experiment.MigrationExperiment} runs a migration,
 * {@code vm.experiment.MigrationTable} the published rows).
 */
package org.toyvm.vm.migration;
