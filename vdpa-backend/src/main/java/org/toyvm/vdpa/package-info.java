/** The simulated Linux vhost-vdpa device, vdpa bus and parents, and the simulated NIC. */
package org.toyvm.vdpa;
