/**
 * The reports and their forms: the records of {@code run}, {@code matrix} and {@code sweep}
 * ({@link org.toyvm.vm.report.RunReport}, {@link org.toyvm.vm.report.RebootResult},
 * {@link org.toyvm.vm.report.MatrixReport}, {@link org.toyvm.vm.report.SweepReport}), written as
 * text for a terminal ({@link org.toyvm.vm.report.TextReport}), as JSON with snake_case keys in a
 * fixed order ({@link org.toyvm.vm.report.Json}; the contract of docs/DESIGN.md §5), and as charts
 * ({@link org.toyvm.vm.report.Plots}, from a {@link org.toyvm.vm.report.Timeline}, its marker
 * labels staggered in rows so that close markers stay readable); and the
 * {@code --trace-iotlb} file, one JSON line with the exact 72 bytes per IOTLB message.
 *
 * <p>Reports are values: the same run gives byte-identical JSON. A failure to write the trace never
 * throws into the run; it is kept and reported after it.
 *
 * <p>Depends only on the uAPI names ({@code vdpa.uapi}) and the frontend's trace interface
 * ({@code net.vhost}); must not depend on experiments, the machine or the CLI, which produce what
 * it prints.
 */
package org.toyvm.vm.report;
