/** QEMU memory API: regions, FlatView, transactions, listeners. */
package org.toyvm.memory;
