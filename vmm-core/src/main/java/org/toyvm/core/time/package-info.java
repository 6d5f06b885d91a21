/**
 * Where everything in a simulated machine runs and the only place it reads the time:
 * {@link org.toyvm.core.time.SimScheduler}, with {@link org.toyvm.core.time.VirtualScheduler} (a
 * deterministic discrete-event loop over Netty's mock ticker: due tasks run, then the clock jumps to
 * the next deadline; ties run in scheduling order) and {@link org.toyvm.core.time.RealScheduler}
 * (one Netty event loop on the system ticker, for real sockets).
 *
 * <p>The guest's vCPU, the VMM, the kernel model, the NIC and the peer are all tasks here, the way
 * QEMU's devices are callbacks on its main loop; a modelled cost is virtual time or a scheduled
 * delay, never a sleep (docs/DESIGN.md §3). The same inputs on the virtual clock give the same run,
 * byte for byte.
 *
 * <p>{@link org.toyvm.core.time.Causality} says when an effect issued now takes hold: inside a
 * synchronous VMM operation (a vCPU exit) that is the operation's start plus the modelled cost
 * charged so far, so a device started at DRIVER_OK runs only once the mapping before it is done.
 *
 * <p>Depends on Netty's event-loop and ticker types and Log4j's API only; must not depend on
 * anything that runs on it.
 */
package org.toyvm.core.time;
