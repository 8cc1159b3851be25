package io.gridwatch.camera;

/** A point of a camera image as fractions of its width ({@code x}) and height ({@code y}, downwards), 0..1. */
public record ImagePoint(double x, double y) {
}
