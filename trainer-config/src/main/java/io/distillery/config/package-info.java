/** The trainer contract shared by the operator and the `mdt` program. */
package io.distillery.config;
