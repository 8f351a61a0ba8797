package jctr.kernel.oci;

/** A hugetlb limit in bytes for one page size such as {@code 2MB}. */
public record HugepageLimit(String pageSize, long limit) {
}
