/** The VMM virtio-net device and its vhost-vdpa frontend. */
package org.toyvm.net;
