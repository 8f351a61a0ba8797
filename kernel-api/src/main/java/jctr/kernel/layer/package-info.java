/**
 * Image layers as files: a safe tar reader and writer, the layer unpacker that is jctr's security
 * boundary for untrusted layers ({@link jctr.kernel.layer.LayerUnpacker}, whose class comment is the
 * unpack policy), whiteout strategies, and tree helpers storage drivers share.
 */
package jctr.kernel.layer;
