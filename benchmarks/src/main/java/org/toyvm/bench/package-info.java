/** JMH benchmarks. */
package org.toyvm.bench;
